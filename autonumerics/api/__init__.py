"""The Python API behind ``autonumerics``'s public names: search, resume, results and tools."""
