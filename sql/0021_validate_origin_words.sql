-- 0017 added the region-word CHECK as NOT VALID so that a database holding an old rule that names
-- a region still migrates. Where no stored rule breaks it (every new database, and every database
-- whose rules are clean), it is validated here, so the constraint covers every row and the bulk
-- loader's "everything validated" check holds. A database with such a rule keeps it NOT VALID
-- until the rule is retired; nothing is rewritten.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM rental_rules
    WHERE lower(factor || ' ' || params::text || ' ' || label)
      ~ '(外地|外省|外来|老乡|同乡|北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|台湾|香港|澳门|东北|潮汕|客家)'
  ) THEN
    ALTER TABLE rental_rules VALIDATE CONSTRAINT rental_rule_never_names_region;
  END IF;
END $$;
