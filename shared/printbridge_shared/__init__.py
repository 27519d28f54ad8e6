"""The library every Printbridge service uses."""
