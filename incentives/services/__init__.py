"""Everything that writes incentives: campaigns (`campaigns`), the live ledger (`accrual`),
the moderators' decisions (`decisions`), bank accounts and payouts (`payouts`)."""
