"""Fixture plugins: an isolated Hermes home (``tests.fixtures_home``), and more as the
keyring, emulator and oracle fixtures land (each in its own ``tests/fixtures_*.py``)."""

pytest_plugins = ["tests.fixtures_home", "tests.fixtures_oracle", "tests.fixtures_keyring",
                  "tests.fixtures_emulator", "tests.fixtures_files"]
