"""Reports: tables as data (model), charts and exports. Takes plain data, never the ORM."""
