"""One package per platform; `CONNECTORS` is how the core finds each one's connector."""
