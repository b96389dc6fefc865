"""YAML: parse YAML text into data, or write data as YAML."""
