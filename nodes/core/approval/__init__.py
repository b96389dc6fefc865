"""Approval: a person approves or rejects before the workflow goes on."""
