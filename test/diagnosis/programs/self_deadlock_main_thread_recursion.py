# expect: hang
# kinds: self-deadlock
# lints:
# culprits: MainThread
# lines: 21
# why: register() holds the registry lock while it recurses into the plugin's dependencies, and the recursive call takes the same threading.Lock again in the main thread.
"""A plugin registry that registers dependencies recursively under one lock."""

import threading

registry_lock = threading.Lock()


class Plugin:
    def __init__(self, name, requires=()):
        self.name = name
        self.requires = list(requires)


def register(plugin, registry):
    with registry_lock:
        if plugin.name in registry:
            return
        registry[plugin.name] = plugin
        for dependency in plugin.requires:
            register(dependency, registry)


if __name__ == "__main__":
    core = Plugin("core")
    auth = Plugin("auth", requires=[core])
    registry = {}
    register(auth, registry)
    print("registered:", sorted(registry))
