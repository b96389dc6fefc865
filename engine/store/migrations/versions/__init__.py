"""Migration scripts, one per revision (a package so that wheels include them)."""
