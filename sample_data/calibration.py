"""Distributions of the sample data, calibrated by hand against real Mexican job postings.

Calibrated on ``shared/fixtures/jobs/mexican-jobs-2020.csv`` (10,173 postings):
monthly salary median 6,000 MXN for entry roles (p10 4,000, p90 12,000), higher
with education (licenciatura ~9,600, maestría ~16,000) and in CDMX / Nuevo León.
huntRED's professional and executive roles sit above that board's median, as
headhunting does. The generator never reads the fixture at run time;
``tests/sample_data/test_calibration.py`` checks these numbers still match it.
"""
from __future__ import annotations

from models.enums import BusinessUnit as BU
from models.enums import Channel

# (state, weight, salary multiplier vs national median, cities)
STATES: list[tuple[str, float, float, tuple[str, ...]]] = [
    ("Ciudad de México", 0.22, 1.17, ("Ciudad de México",)),
    ("Nuevo León", 0.12, 1.25, ("Monterrey", "San Pedro Garza García", "Apodaca")),
    ("Jalisco", 0.12, 1.10, ("Guadalajara", "Zapopan", "Tlaquepaque")),
    ("Estado de México", 0.10, 1.00, ("Toluca", "Naucalpan", "Tlalnepantla")),
    ("Querétaro", 0.06, 1.12, ("Querétaro",)),
    ("Guanajuato", 0.05, 1.05, ("León", "Irapuato", "Celaya")),
    ("Puebla", 0.05, 0.95, ("Puebla",)),
    ("Coahuila", 0.05, 1.05, ("Saltillo", "Torreón")),
    ("Baja California", 0.05, 1.15, ("Tijuana", "Mexicali")),
    ("Yucatán", 0.04, 0.95, ("Mérida",)),
    ("Chihuahua", 0.04, 1.08, ("Chihuahua", "Ciudad Juárez")),
    ("San Luis Potosí", 0.04, 0.98, ("San Luis Potosí",)),
    ("Sonora", 0.03, 1.05, ("Hermosillo",)),
    ("Veracruz", 0.03, 0.92, ("Veracruz", "Xalapa")),
]

# Monthly MXN salary medians by education level (fixture medians, scaled to the
# professional market huntRED serves).
EDUCATION_LEVELS: list[tuple[str, str, float, float]] = [
    # (es label, en label, weight, median monthly MXN)
    ("Preparatoria", "High school", 0.12, 9_000),
    ("Carrera técnica", "Technical degree", 0.13, 12_000),
    ("Licenciatura", "Bachelor's degree", 0.55, 22_000),
    ("Maestría", "Master's degree", 0.17, 38_000),
    ("Doctorado", "PhD", 0.03, 45_000),
]

# Role families: (family, es title, en title, skills, salary multiplier, typical BU)
ROLES: list[tuple[str, str, str, tuple[str, ...], float, tuple[BU, ...]]] = [
    ("data", "Científico de Datos", "Data Scientist", ("Python", "SQL", "Machine Learning", "Estadística", "Pandas", "Spark"), 1.6, (BU.HUNTRED, BU.HUNTRED_EXECUTIVE, BU.HUNTRED_EXPERIENCE)),
    ("data", "Ingeniero de Datos", "Data Engineer", ("Python", "SQL", "Airflow", "dbt", "AWS", "Spark"), 1.55, (BU.HUNTRED, BU.HUNTRED_EXPERIENCE)),
    ("software", "Desarrollador Backend", "Backend Developer", ("Java", "Python", "Django", "PostgreSQL", "Docker", "REST APIs"), 1.45, (BU.HUNTRED, BU.HUNTU)),
    ("software", "Desarrollador Frontend", "Frontend Developer", ("JavaScript", "TypeScript", "React", "CSS", "HTML"), 1.35, (BU.HUNTRED, BU.HUNTU)),
    ("software", "Ingeniero DevOps", "DevOps Engineer", ("Kubernetes", "Docker", "Terraform", "AWS", "Linux", "CI/CD"), 1.55, (BU.HUNTRED, BU.HUNTRED_EXPERIENCE)),
    ("finance", "Contador Público", "Accountant", ("Contabilidad", "SAP", "Excel", "Impuestos", "NIF"), 1.0, (BU.HUNTRED, BU.HUNTRED_INSPIRATION)),
    ("finance", "Director de Finanzas", "Chief Financial Officer", ("Finanzas Corporativas", "Planeación Financiera", "Liderazgo", "SAP", "IFRS"), 4.2, (BU.HUNTRED_EXECUTIVE,)),
    ("sales", "Ejecutivo de Ventas", "Sales Executive", ("Ventas B2B", "CRM", "Negociación", "Salesforce"), 0.95, (BU.HUNTRED, BU.AMIGRO, BU.HUNTU)),
    ("sales", "Director Comercial", "Chief Commercial Officer", ("Estrategia Comercial", "Liderazgo", "Negociación", "P&L"), 3.8, (BU.HUNTRED_EXECUTIVE, BU.HUNTRED_EXPERIENCE)),
    ("hr", "Especialista de Recursos Humanos", "HR Specialist", ("Reclutamiento", "Nómina", "Relaciones Laborales", "Excel"), 0.9, (BU.HUNTRED, BU.HUNTRED_INSPIRATION)),
    ("operations", "Supervisor de Producción", "Production Supervisor", ("Lean Manufacturing", "Six Sigma", "Seguridad Industrial", "Excel"), 0.85, (BU.AMIGRO, BU.HUNTRED)),
    ("operations", "Operador de Almacén", "Warehouse Operator", ("Montacargas", "Inventarios", "Seguridad Industrial"), 0.45, (BU.AMIGRO,)),
    ("operations", "Gerente de Logística", "Logistics Manager", ("Cadena de Suministro", "SAP", "Inventarios", "Liderazgo"), 1.5, (BU.HUNTRED_EXPERIENCE, BU.HUNTRED)),
    ("marketing", "Especialista en Marketing Digital", "Digital Marketing Specialist", ("SEO", "Google Ads", "Redes Sociales", "Analítica Web"), 1.05, (BU.HUNTRED, BU.HUNTU)),
    ("customer", "Agente de Atención a Clientes", "Customer Service Agent", ("Atención al Cliente", "Inglés", "CRM"), 0.5, (BU.AMIGRO, BU.HUNTRED_INSPIRATION, BU.HUNTU)),
    ("consulting", "Consultor de Talento", "Talent Consultant", ("Consultoría", "Análisis de Datos", "Reclutamiento", "Power BI"), 1.4, (BU.HUNTRED_SOLUTIONS,)),
    ("internship", "Becario de Analítica", "Analytics Intern", ("Excel", "SQL", "Power BI"), 0.35, (BU.HUNTU,)),
]

BU_WEIGHTS: dict[BU, float] = {
    BU.HUNTRED: 0.30, BU.HUNTU: 0.16, BU.AMIGRO: 0.16, BU.HUNTRED_EXPERIENCE: 0.12,
    BU.HUNTRED_INSPIRATION: 0.10, BU.HUNTRED_EXECUTIVE: 0.08, BU.HUNTRED_SOLUTIONS: 0.08,
}

# Stage pass-through multipliers: channels and BUs convert differently.
CHANNEL_QUALITY: dict[Channel, float] = {
    Channel.LINKEDIN: 1.20, Channel.INDEED: 0.90, Channel.OCC: 0.95, Channel.GLASSDOOR: 1.05,
    Channel.MONSTER: 0.85, Channel.WHATSAPP: 1.00, Channel.TELEGRAM: 0.90, Channel.EMAIL: 1.10, Channel.WEB: 1.00,
}
BU_SELECTIVITY: dict[BU, float] = {
    BU.HUNTRED_EXECUTIVE: 0.70, BU.HUNTRED: 1.0, BU.HUNTRED_INSPIRATION: 1.05, BU.HUNTRED_EXPERIENCE: 0.85,
    BU.HUNTU: 1.10, BU.AMIGRO: 1.20, BU.HUNTRED_SOLUTIONS: 0.90,
}
# Base probability of moving on from each stage (applied->screened, ...).
BASE_PASS_THROUGH = {"applied": 0.55, "screened": 0.50, "interviewed": 0.40, "offered": 0.78}

# Cost per click (MXN) and click-through of each ad channel; messaging channels pay per send.
CHANNEL_COST_PER_CLICK_MXN: dict[Channel, float] = {
    Channel.LINKEDIN: 38.0, Channel.INDEED: 14.0, Channel.OCC: 9.0, Channel.GLASSDOOR: 18.0, Channel.MONSTER: 11.0,
    Channel.WEB: 0.0,
}
CHANNEL_CTR: dict[Channel, float] = {
    Channel.LINKEDIN: 0.009, Channel.INDEED: 0.035, Channel.OCC: 0.04, Channel.GLASSDOOR: 0.025,
    Channel.MONSTER: 0.03, Channel.WEB: 0.35,
}
CHANNEL_WEIGHTS: dict[Channel, float] = {
    Channel.LINKEDIN: 0.20, Channel.INDEED: 0.14, Channel.OCC: 0.16, Channel.GLASSDOOR: 0.06, Channel.MONSTER: 0.05,
    Channel.WHATSAPP: 0.14, Channel.TELEGRAM: 0.04, Channel.EMAIL: 0.09, Channel.WEB: 0.12,
}
USD_MXN = 18.2  # sample-data exchange rate; the marts use their own dated rate table

# Month-of-year seasonality of hiring activity (Jan and Sep peaks, December lull).
SEASONALITY = {1: 1.35, 2: 1.2, 3: 1.1, 4: 0.95, 5: 0.95, 6: 0.9, 7: 0.85, 8: 1.05, 9: 1.2, 10: 1.1, 11: 0.95, 12: 0.6}

FIRST_NAMES = (
    "María", "José", "Guadalupe", "Juan", "Fernanda", "Luis", "Ana", "Carlos", "Sofía", "Miguel", "Valeria",
    "Jorge", "Daniela", "Alejandro", "Ximena", "Ricardo", "Andrea", "Eduardo", "Camila", "Francisco", "Paola",
    "Diego", "Mariana", "Roberto", "Regina", "Héctor", "Lucía", "Arturo", "Renata", "Iván", "Natalia", "Óscar",
    "Gabriela", "Emilio", "Itzel", "Jesús", "Karla", "Raúl", "Yolanda", "Andrés",
)
LAST_NAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
    "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza",
    "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez",
    "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán", "Velázquez", "Rojas",
)
COMPANIES = (
    "Grupo Bimbo", "FEMSA", "Cemex", "Banorte", "Liverpool", "Grupo Modelo", "Televisa", "Telcel", "Mabe",
    "Softtek", "Kavak", "Clip", "Bitso", "Konfío", "Aeroméxico", "Walmart de México", "BBVA México", "Coppel",
    "Nemak", "Alsea", "Grupo Lala", "Volaris", "Oxxo", "Santander México", "Globant", "Accenture México",
)
UNIVERSITIES = (
    "UNAM", "Tecnológico de Monterrey", "IPN", "Universidad de Guadalajara", "ITAM", "UAM",
    "Universidad Iberoamericana", "UANL", "BUAP", "Universidad Anáhuac", "UDLAP", "Universidad Panamericana",
)
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "icloud.com", "live.com.mx")
SOLUTIONS_CLIENT_NAMES = (
    "Manufacturas del Bajío", "Logística Norteña", "Farmacias del Pacífico", "Grupo Hotelero Caribe",
    "Constructora Altamira", "Agroindustrias Sinaloa", "Fintech Azteca", "Retail Maya", "Autopartes Saltillo",
    "Seguros Atlántico", "Telecom Sierra Madre", "Alimentos La Huerta", "Energía Solar Sonora",
    "Textiles Puebla", "Clínicas Salud Total", "Transportes Golfo", "Software Guadalajara", "Cerveza Artesanal Norte",
)

# How CVs spell a skill besides its canonical (Spanish) label: English labels and common
# aliases, so the CV analyzer is judged on real-world spelling, not on our own labels.
SKILL_VARIANTS: dict[str, tuple[str, ...]] = {
    "Machine Learning": ("ML", "Aprendizaje automático"), "Estadística": ("Statistics",), "Spark": ("PySpark", "Apache Spark"),
    "AWS": ("Amazon Web Services",), "PostgreSQL": ("Postgres",), "REST APIs": ("API REST",), "JavaScript": ("JS",),
    "React": ("React.js",), "Kubernetes": ("k8s",), "Contabilidad": ("Accounting",), "Impuestos": ("Taxes",),
    "Finanzas Corporativas": ("Corporate Finance",), "Planeación Financiera": ("Financial Planning", "FP&A"),
    "Liderazgo": ("Leadership",), "Ventas B2B": ("B2B Sales",), "Negociación": ("Negotiation",),
    "Estrategia Comercial": ("Commercial Strategy",), "Reclutamiento": ("Recruiting", "Reclutamiento y selección"),
    "Nómina": ("Payroll",), "Relaciones Laborales": ("Labor Relations",), "Lean Manufacturing": ("Manufactura Esbelta",),
    "Seguridad Industrial": ("Industrial Safety", "Seguridad e higiene"), "Montacargas": ("Forklift",),
    "Inventarios": ("Inventory", "Control de inventarios"), "Cadena de Suministro": ("Supply Chain",),
    "Redes Sociales": ("Social Media",), "Analítica Web": ("Web Analytics", "Google Analytics"),
    "Atención al Cliente": ("Customer Service", "Servicio al cliente"), "Consultoría": ("Consulting",),
    "Análisis de Datos": ("Data Analysis",), "Power BI": ("PowerBI",),
}

# -- how huntRED earns: placement fees, subscriptions, consulting ------------------------------------------------------
# A placement fee is a share of the hire's first-year base salary (12 monthly salaries), invoiced to the client when the
# hire starts, payable in 30 days. Shares follow Mexican agency practice: retained executive search a quarter or more,
# professional contingency search about two monthly salaries, graduate and volume hiring (interns, migrant workers)
# well under one.
PLACEMENT_FEE_SHARE: dict[BU, float] = {
    BU.HUNTRED_EXECUTIVE: 0.25, BU.HUNTRED: 0.15, BU.HUNTRED_EXPERIENCE: 0.18, BU.HUNTRED_INSPIRATION: 0.15,
    BU.HUNTRED_SOLUTIONS: 0.15, BU.HUNTU: 0.10, BU.AMIGRO: 0.08,
}
START_AFTER_HIRE_DAYS = (7, 30)  # notice period between the accepted offer and the first day
PAYMENT_TERMS_DAYS = 30
GUARANTEE_DAYS = 90  # a hire who leaves in this window is replaced free of charge or the fee is refunded
GUARANTEE_BREAK_RATE = 0.08  # share of hires who leave within the guarantee
GUARANTEE_REFUND_SHARE = 0.5  # of those, the share refunded (the others are replaced)
PLACEMENT_UNPAID_RATE = 0.03  # invoices never paid (written off 90 days after they fall due)
# huntRED Solutions also sells consulting projects (talent diagnostics, compensation studies), invoiced on delivery.
CONSULTING_PROJECT_MXN = (60_000, 90_000, 150_000, 250_000)
CONSULTING_PROJECTS_PER_YEAR = 2.5
# Campaign budgets by BU, against the base draw (40k-250k MXN): executive search and the core professional unit (the
# most candidates) buy LinkedIn-heavy plans; graduate, volume and hospitality hiring, and the campaigns Solutions runs
# for its clients, run on cheaper ones.
BU_BUDGET_MULTIPLIER: dict[BU, float] = {
    BU.HUNTRED_EXECUTIVE: 1.8, BU.HUNTRED: 2.0, BU.HUNTRED_SOLUTIONS: 0.85, BU.HUNTRED_EXPERIENCE: 0.7,
    BU.HUNTRED_INSPIRATION: 0.7, BU.HUNTU: 0.7, BU.AMIGRO: 0.7,
}
# Paid channels spend about what the media plan gives them (a campaign's budget split over its paid channels);
# messaging is paid per send, the careers site is free.
MEDIA_PLAN_PACING = 0.95
