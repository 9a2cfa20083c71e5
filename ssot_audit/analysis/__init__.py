"""What rules may import: the rule base classes and registry, rule options, name resolution,
source positions, class facts and the syntax helpers rules share. Imports only the model."""
