"""No public data: buckets, ACLs and IAM members."""
