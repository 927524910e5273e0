-- Issue 15 item 8: the database refuses the same origin words as the API (ORIGIN_TERMS in
-- server/domain/rental-scoring.ts). 0005's CHECK names birthplace, hukou and ethnicity; this one
-- adds the words that single out people from elsewhere and the province names a rule could use
-- instead, so a rule written by SQL (a script, a restore, a console) cannot profile by region either.
-- NOT VALID: rows already stored are left as they are (a version is never rewritten, and an old
-- database must still migrate); every rule inserted or changed from now on is checked.
ALTER TABLE rental_rules ADD CONSTRAINT rental_rule_never_names_region CHECK (
  lower(factor || ' ' || params::text || ' ' || label)
    !~ '(外地|外省|外来|老乡|同乡|北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|台湾|香港|澳门|东北|潮汕|客家)'
) NOT VALID;
