"""The program representation: ops, programs, text and canonical forms, files, the interpreter."""
