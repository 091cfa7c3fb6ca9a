"""Pure file formats: data in, bytes out (or bytes in, data out). No Flask, no database."""
