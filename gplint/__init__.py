"""gplint: lint and fix Go module proxy settings in Dockerfiles, .dockerignore files and CI."""
__version__ = "0.2.0"
