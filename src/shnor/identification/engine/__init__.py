"""The identification engine: methodologies as validated data, evaluated set-based with Polars.

Nothing here touches the database: `evaluate(definition, year, inputs)` takes data frames and
returns statuses with their evidence, so every rule is tested on hand-made frames.
"""
