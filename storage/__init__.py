"""The database: connection manager, migrations and one repository per capability."""
