"""The program representation: ops, programs, their text form, canonical form, files, and reference interpreter."""
