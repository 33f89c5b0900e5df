"""autonumerics: evolutionary discovery of cheap, certified approximations of transcendental functions."""

__version__ = "0.1.0"
