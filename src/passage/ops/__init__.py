"""passage.ops — running a workspace safely: key rotation, audit verification and checkpoints, encrypted
backups and restores. Commands only; the data model is in passage.storage and passage.cases."""
