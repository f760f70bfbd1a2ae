"""MLK_PUB: no public data: buckets, ACLs and IAM members."""
