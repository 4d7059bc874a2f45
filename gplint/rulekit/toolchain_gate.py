"""What a Go toolchain does with a main module whose go.mod (or go.work) needs a newer Go: shared
by GP501 (a golang image in a Dockerfile) and GP502 (a CI job's toolchain), §5.10, §15."""
from __future__ import annotations


def consequence(toolchain: tuple, needed: tuple, wanted: str, switching: bool, local_because: str) -> str:
    """What the toolchain's go does (§15.3–§15.6). `local_because` says who sets GOTOOLCHAIN=local."""
    if toolchain[:2] >= (1, 21):
        if switching:
            return ("GOTOOLCHAIN lets go switch toolchains here, so every uncached build downloads "
                    f"Go {wanted} through GOPROXY first")
        return (f"{local_because} sets GOTOOLCHAIN=local, so the build fails (with GOTOOLCHAIN=auto "
                "it downloads a toolchain through GOPROXY instead)")
    # before Go 1.21 there is no GOTOOLCHAIN, and the go line is read by the old rules
    if len(needed) > 2:
        return (f"before Go 1.21, go reads only a `1.N` go line in the main module's go.mod, so every go "
                f"command there fails with `invalid go version '{wanted}': must match format 1.23`")
    if needed >= (1, 22) and refuses_go122(toolchain):
        return (f"Go 1.19.13+ and 1.20.8+ refuse modules that declare go 1.22 or later, so the build fails "
                f"with `cannot compile Go {wanted} code`")
    return ("before Go 1.21 the go line is advisory: go builds anyway, and only when compilation fails "
            f"does it add `note: module requires Go {wanted}`")


def refuses(toolchain: tuple, needed: tuple) -> bool:
    """Whether go with switching off stops on a main module that needs `needed` (which the
    toolchain does not satisfy): always from Go 1.21; before, only for a three-part go line or,
    from 1.19.13/1.20.8, a go 1.22+ line. Otherwise the go line is advisory (§15.3, §15.5, §15.6)."""
    return toolchain[:2] >= (1, 21) or len(needed) > 2 or (needed >= (1, 22) and refuses_go122(toolchain))


def refuses_go122(toolchain: tuple) -> bool:
    """Go 1.19.13+ and 1.20.8+ carry the backport that refuses go >= 1.22 modules; a `1.19` or
    `1.20` version is that line's newest release, which has it (§15.6)."""
    if len(toolchain) == 2:
        return toolchain in ((1, 19), (1, 20))
    return (toolchain[:2] == (1, 19) and toolchain[2] >= 13) or (toolchain[:2] == (1, 20) and toolchain[2] >= 8)


def satisfies(toolchain: tuple, needed: tuple) -> bool:
    """A `1.21` version (an image tag, setup-go's `1.21` or `1.21.x`) is the newest 1.21.x, so
    it satisfies any 1.21.x requirement."""
    if len(toolchain) <= 2:
        return toolchain >= needed[: len(toolchain)]
    return toolchain >= needed
