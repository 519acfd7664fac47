"""Demo tools for the shipped agent configs; imported as `tools.<module>:<function>` from configs/*.yaml."""
