"""Referral services for children with a disability, by county (flows/referral_services.yaml)."""
