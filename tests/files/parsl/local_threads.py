"""A Parsl configuration for the tests: a local HighThroughputExecutor with two workers."""

from parsl.config import Config
from parsl.executors import HighThroughputExecutor
from parsl.providers import LocalProvider

config = Config(
    executors=[HighThroughputExecutor(label="local_htex", max_workers_per_node=2,
                                      provider=LocalProvider(init_blocks=1, max_blocks=1))],
    strategy="none",
)
