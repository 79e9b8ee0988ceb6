-- Issue 13, "answers faster": extra questions per category, asked in the resident's wizard and
-- the staff intake form, shown to staff, and offered to Open311 clients as service attributes.
--
-- Rows are keyed by category code without a foreign key: categories are imported (and may be
-- imported after this migration runs, as the demo city is), and a category without rows simply
-- asks nothing. The catalogue loads them with the categories (`catalog.questions`).
CREATE TABLE category_questions (
    category TEXT NOT NULL,
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    -- text | number | choice
    kind TEXT NOT NULL,
    required INTEGER NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL,
    help TEXT NOT NULL,
    help_en TEXT NOT NULL,
    -- text: the longest answer in characters
    max_len INTEGER NOT NULL,
    -- number: the largest value (whole units; every number must be greater than 0)
    max_value BIGINT NOT NULL,
    -- number: digits allowed after the decimal point
    decimals INTEGER NOT NULL,
    unit TEXT NOT NULL,
    unit_en TEXT NOT NULL,
    -- choice: JSON list of {"code", "label", "label_en"}
    choices TEXT NOT NULL,
    PRIMARY KEY (category, code)
);

INSERT INTO category_questions
    (category, code, position, kind, required, label, label_en, help, help_en, max_len, max_value, decimals, unit, unit_en, choices)
VALUES
    ('wage_arrears', 'employer', 1, 'text', 1, '欠薪的单位名称', 'Employer''s name',
     '用人单位、老板或包工头的名称，知道多少写多少', 'The company, boss or labour contractor who owes the wages, as far as you know',
     100, 0, 0, '', '', '[]'),
    ('wage_arrears', 'amount', 2, 'number', 1, '欠薪金额', 'Amount owed',
     '拖欠的工资总数，大约的数字也可以，例如 3000', 'The total wages owed; an approximate figure is fine, e.g. 3000',
     0, 10000000, 2, '元', 'yuan', '[]'),
    ('wage_arrears', 'months', 3, 'number', 1, '拖欠月数', 'Months owed',
     '工资被拖欠了几个月（1–120）', 'For how many months the wages have been owed (1–120)',
     0, 120, 0, '个月', 'months', '[]'),
    ('wage_arrears', 'workers', 4, 'number', 0, '涉及人数', 'Workers affected',
     '被拖欠工资的一共有多少人，包括您自己', 'How many workers are owed wages, including yourself',
     0, 100000, 0, '人', 'people', '[]'),
    ('property_mgmt', 'company', 1, 'text', 0, '物业公司名称', 'Property management company',
     '小区物业服务企业的名称', 'The name of the estate''s property management company',
     100, 0, 0, '', '', '[]'),
    ('food_drug', 'product', 1, 'text', 0, '商店或产品名称', 'Shop or product name',
     '出问题的商店、餐馆或产品的名称', 'The shop, restaurant or product concerned',
     100, 0, 0, '', '', '[]'),
    ('safety_hazard', 'hazard', 1, 'choice', 0, '隐患类型', 'Kind of hazard',
     '选一个最接近的', 'Choose the closest one',
     0, 0, 0, '', '',
     '[{"code":"fire","label":"消防","label_en":"Fire"},{"code":"gas","label":"燃气","label_en":"Gas"},{"code":"building","label":"房屋","label_en":"Building"},{"code":"other","label":"其他","label_en":"Other"}]');

-- The answers given, stored with the appeal as JSON (a list of {"code", "label", "label_en",
-- "value", "value_en"}: the labels as asked at the time). NULL when the category asked nothing.
-- Private like the description: staff of the appeal only, never on public pages.
ALTER TABLE appeals ADD COLUMN answers TEXT;

-- Running nodes reload their catalogue (with the questions) when this changes.
UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'catalog_version';
