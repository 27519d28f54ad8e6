"""The `printbridge` command and the embedded all-in-one runner. It only composes the services."""
