module vault-backup-action/bench/snapshot-server

go 1.22
