"""huntRED lakehouse core: settings, sample-data generator, ingestion logic, serving snapshot, CLI."""
