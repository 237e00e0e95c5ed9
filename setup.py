"""Packaging for dingtalk-python. ``pip install .`` / ``pip install ".[all]"``."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "dingtalk" / "__init__.py").read_text("utf-8")).group(1)

EXTRAS = {
    "redis": ["redis>=3.0"],
    "memcached": ["python3-memcached>=1.51"],
    "pymemcache": ["pymemcache>=3.5"],
}
EXTRAS["all"] = sorted({dep for deps in EXTRAS.values() for dep in deps})
EXTRAS["test"] = EXTRAS["all"] + ["pytest>=7", "hypothesis>=6", "responses>=0.23", "flask>=2.0", "django>=4.2",
                                   "mypy>=1.5", "types-requests"]

setup(
    name="dingtalk-python",
    version=VERSION,
    description="Synchronous Python SDK for DingTalk (钉钉) enterprise internal apps: API, tokens in a shared cache, callbacks, local sandbox",
    long_description=(HERE / "README.md").read_text("utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    packages=find_packages(include=["dingtalk", "dingtalk.*"]),
    package_data={"dingtalk": ["py.typed"]},
    python_requires=">=3.9",
    install_requires=["requests>=2.20", "pycryptodome>=3.9"],
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["dingtalk = dingtalk.cli:main"],
                  "pytest11": ["dingtalk.testing = dingtalk.testing"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: Apache Software License",
        "Operating System :: OS Independent",
        "Natural Language :: Chinese (Simplified)",
        "Typing :: Typed",
    ],
)
