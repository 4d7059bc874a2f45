"""How Go and BuildKit behave (docs/semantics.md): GOPROXY and module-pattern grammar, go.mod
versions, .dockerignore matching, and a linear-time regex guard. No gplint policy lives here;
everything above may import this package, and it imports nothing of gplint but records."""
