-- Which accounts that existed before confirmation count as confirmed.
--
-- Until now anyone could open an account on someone else's number, so an existing account proves
-- nothing by existing. Only the accounts with a proof already on record are confirmed:
--   - a staff role (agent, editor, administrator) or a network role: an administrator granted it
--     to a person they know;
--   - a verified resident (participation): a code sent to the number was entered, or an agent saw
--     the person's identity document;
--   - a password reset carried out: a code sent to the number or address was entered.
-- E-mail accounts follow the same rule as phone accounts: an address typed at sign-up was never
-- proven either. Every other account stays unconfirmed: it still signs in and keeps everything it
-- holds, and the first time it acts in the person's name it is asked for a code sent to its number
-- (or address), or the person confirms at the counter. Running this again confirms nothing that
-- lacks one of these proofs.
UPDATE users u SET confirmed_at = now()
WHERE u.confirmed_at IS NULL
  AND (
    EXISTS (SELECT 1 FROM municipal_roles r WHERE r.user_id = u.id AND r.role <> 'citizen')
    OR EXISTS (SELECT 1 FROM network_roles r WHERE r.user_id = u.id)
    OR EXISTS (SELECT 1 FROM resident_verifications v WHERE v.user_id = u.id)
    OR EXISTS (SELECT 1 FROM password_resets p WHERE p.user_id = u.id AND p.used_at IS NOT NULL)
  );
