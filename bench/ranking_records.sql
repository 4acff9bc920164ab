-- Issue 11 (bench/README "ranking by keyset in SQL"): run with psql on a COPY of zhiben_bench_full.
-- Records the generator leaves empty, so every compliance check has something to judge.
SELECT setseed(0.11);
UPDATE enterprises SET principal_name = CASE WHEN random() < 0.8 THEN '负责人' || substr(md5(id::text), 1, 4) END,
  standardization_grade = CASE WHEN random() < 0.15 THEN 1 + (random()*2)::int END,
  standardization_required = random() < 0.05;
UPDATE enterprises SET standardization_expires_on = date '2025-06-01' + (random()*900)::int
  WHERE standardization_grade IS NOT NULL;
INSERT INTO drills (id, enterprise_id, held_on, kind, scenario, participants, observed_by_street_office, plan_revised, photo_ids)
SELECT gen_random_uuid(), e.id, v.d, CASE WHEN random() < 0.85 THEN 'evacuation' ELSE 'tabletop' END, '疏散', 20, false, false, '[]'::jsonb
FROM enterprises e, LATERAL (VALUES (date '2026-01-01' + (random()*330)::int), (date '2026-01-01' + (random()*180)::int), (date '2025-01-01' + (random()*364)::int)) v(d)
WHERE random() < 0.8;
INSERT INTO trainings (id, enterprise_id, person_name, person_role, topic, hours, completed_on, passed)
SELECT gen_random_uuid(), e.id, CASE WHEN random() < 0.9 THEN coalesce(e.principal_name, '某人') ELSE '前任负责人' END, 'principal', 'principal_special', 8,
  date '2023-06-01' + (random()*1200)::int, CASE WHEN random() < 0.9 THEN true WHEN random() < 0.5 THEN NULL ELSE false END
FROM enterprises e WHERE random() < 0.7;
INSERT INTO trainings (id, enterprise_id, person_name, person_role, topic, hours, completed_on, passed)
SELECT gen_random_uuid(), e.id, '员工' || g, 'employee', CASE WHEN g = 1 THEN 'hazard_standard' ELSE 'all_staff' END, 2,
  date '2025-06-01' + (random()*540)::int, NULL
FROM enterprises e, generate_series(1, 3) g WHERE random() < 0.8;
INSERT INTO certificates (id, enterprise_id, holder_name, category, certificate_no, issued_on, expires_on, next_review_on)
SELECT gen_random_uuid(), e.id, '持证人', 'electrical', 'C-' || g, date '2020-01-01' + (random()*2500)::int,
  date '2026-06-01' + (random()*1500)::int, date '2026-10-01' + (random()*900)::int
FROM enterprises e, generate_series(1, 5) g;
INSERT INTO inspection_quiz (inspection_id, position, person, question, passed)
SELECT i.id, p, '员工', '第三条？', true FROM inspections i, generate_series(0, 1) p
WHERE i.kind = 'principal_check' AND hashtext(i.id::text) % 10 <> 0;
INSERT INTO accidents (id, enterprise_id, occurred_at, description, deaths, serious_injuries, direct_loss_yuan, grade, major_risk_event)
SELECT gen_random_uuid(), e.id, timestamptz '2026-01-05 10:00+08' + random() * interval '320 days', '事故', 0, 0, 0,
  CASE WHEN random() < 0.7 THEN 'larger' ELSE 'general' END, random() < 0.3
FROM enterprises e WHERE random() < 0.02;
INSERT INTO interviews (id, enterprise_id, person_name, reason, accident_id, held_on, reported_to_district)
SELECT gen_random_uuid(), a.enterprise_id, '负责人', '约谈', a.id, date '2026-11-01', random() < 0.6
FROM accidents a WHERE random() < 0.7;
VACUUM ANALYZE enterprises, drills, trainings, certificates, inspection_quiz, accidents, interviews;
SELECT (SELECT count(*) FROM drills) drills, (SELECT count(*) FROM trainings) trainings, (SELECT count(*) FROM certificates) certs,
  (SELECT count(*) FROM inspection_quiz) quiz, (SELECT count(*) FROM accidents) accidents, (SELECT count(*) FROM interviews) interviews;
