pytest_plugins = ["printbridge_shared.pytest_plugin"]
