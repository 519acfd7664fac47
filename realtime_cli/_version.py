"""The package version, in a leaf module every layer may import (the package facade may not be)."""

__version__ = "0.1.0"
