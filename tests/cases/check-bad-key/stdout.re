^KFRAG UNKNOWN - configuration: .*/check-bad-key/kfrag.conf:4: unknown key .no_such_key.
