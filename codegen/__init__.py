"""The generator behind `make`: pull → describe → render → check, and diff.

Not imported at run time: the library users import is `cfai`. Stages read each model once into a
description and render typed models (datamodel-code-generator) and the OpenAPI document from it.
"""
