"""Certificates for the packaged kernels beyond float32: 16-bit formats and derivatives."""
