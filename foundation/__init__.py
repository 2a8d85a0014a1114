"""The ground every layer stands on: settings, errors, the warehouse file and its writer lock, landing files."""
