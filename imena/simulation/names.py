"""Synthetic Ukrainian names with their Russian spellings.

Surnames are built from stems and suffixes, so no list of real people is used.
Every given name carries its Russian equivalent; patronymics are derived from the
father's given name with the Ukrainian and the Russian rules.
"""

from __future__ import annotations

from dataclasses import dataclass

MALE: tuple[tuple[str, str], ...] = (
    ("Олександр", "Александр"),
    ("Сергій", "Сергей"),
    ("Андрій", "Андрей"),
    ("Микола", "Николай"),
    ("Володимир", "Владимир"),
    ("Іван", "Иван"),
    ("Василь", "Василий"),
    ("Петро", "Петр"),
    ("Павло", "Павел"),
    ("Дмитро", "Дмитрий"),
    ("Михайло", "Михаил"),
    ("Юрій", "Юрий"),
    ("Віктор", "Виктор"),
    ("Анатолій", "Анатолий"),
    ("Віталій", "Виталий"),
    ("Валерій", "Валерий"),
    ("Геннадій", "Геннадий"),
    ("Григорій", "Григорий"),
    ("Євген", "Евгений"),
    ("Олексій", "Алексей"),
    ("Олег", "Олег"),
    ("Ігор", "Игорь"),
    ("Богдан", "Богдан"),
    ("Тарас", "Тарас"),
    ("Степан", "Степан"),
    ("Федір", "Федор"),
    ("Яків", "Яков"),
    ("Леонід", "Леонид"),
    ("Борис", "Борис"),
    ("Вадим", "Вадим"),
    ("В'ячеслав", "Вячеслав"),
    ("Валентин", "Валентин"),
    ("Роман", "Роман"),
    ("Руслан", "Руслан"),
    ("Максим", "Максим"),
    ("Артем", "Артем"),
    ("Денис", "Денис"),
    ("Антон", "Антон"),
    ("Костянтин", "Константин"),
    ("Станіслав", "Станислав"),
    ("Ярослав", "Ярослав"),
    ("Святослав", "Святослав"),
    ("Владислав", "Владислав"),
    ("Мирослав", "Мирослав"),
    ("Ростислав", "Ростислав"),
    ("Всеволод", "Всеволод"),
    ("Матвій", "Матвей"),
    ("Данило", "Даниил"),
    ("Кирило", "Кирилл"),
    ("Гліб", "Глеб"),
    ("Семен", "Семен"),
    ("Тимофій", "Тимофей"),
    ("Захар", "Захар"),
    ("Назар", "Назар"),
    ("Остап", "Остап"),
    ("Нестор", "Нестор"),
    ("Панас", "Афанасий"),
    ("Омелян", "Емельян"),
    ("Трохим", "Трофим"),
    ("Харитон", "Харитон"),
    ("Лука", "Лука"),
    ("Ілля", "Илья"),
    ("Кузьма", "Кузьма"),
    ("Аркадій", "Аркадий"),
    ("Едуард", "Эдуард"),
    ("Леонтій", "Леонтий"),
    ("Зиновій", "Зиновий"),
    ("Прохор", "Прохор"),
    ("Мар'ян", "Марьян"),
    ("Арсеній", "Арсений"),
    ("Георгій", "Георгий"),
    ("Юліан", "Юлиан"),
    ("Веніамін", "Вениамин"),
    ("Ілларіон", "Илларион"),
    ("Герман", "Герман"),
    ("Тимур", "Тимур"),
    ("Єгор", "Егор"),
    ("Олесь", "Олесь"),
    ("Орест", "Орест"),
    ("Фелікс", "Феликс"),
)

FEMALE: tuple[tuple[str, str], ...] = (
    ("Ганна", "Анна"),
    ("Олена", "Елена"),
    ("Ольга", "Ольга"),
    ("Тетяна", "Татьяна"),
    ("Наталія", "Наталья"),
    ("Ірина", "Ирина"),
    ("Світлана", "Светлана"),
    ("Людмила", "Людмила"),
    ("Валентина", "Валентина"),
    ("Галина", "Галина"),
    ("Марія", "Мария"),
    ("Надія", "Надежда"),
    ("Любов", "Любовь"),
    ("Віра", "Вера"),
    ("Катерина", "Екатерина"),
    ("Оксана", "Оксана"),
    ("Юлія", "Юлия"),
    ("Вікторія", "Виктория"),
    ("Анастасія", "Анастасия"),
    ("Лариса", "Лариса"),
    ("Лідія", "Лидия"),
    ("Ніна", "Нина"),
    ("Раїса", "Раиса"),
    ("Зінаїда", "Зинаида"),
    ("Тамара", "Тамара"),
    ("Алла", "Алла"),
    ("Антоніна", "Антонина"),
    ("Євдокія", "Евдокия"),
    ("Параска", "Прасковья"),
    ("Марина", "Марина"),
    ("Яна", "Яна"),
    ("Дарина", "Дарья"),
    ("Софія", "София"),
    ("Христина", "Кристина"),
    ("Олександра", "Александра"),
    ("Валерія", "Валерия"),
    ("Інна", "Инна"),
    ("Жанна", "Жанна"),
    ("Лілія", "Лилия"),
    ("Майя", "Майя"),
    ("Римма", "Римма"),
    ("Уляна", "Ульяна"),
    ("Ярослава", "Ярослава"),
    ("Мирослава", "Мирослава"),
    ("Станіслава", "Станислава"),
    ("Богдана", "Богдана"),
    ("Віталіна", "Виталина"),
    ("Клавдія", "Клавдия"),
    ("Ксенія", "Ксения"),
    ("Василина", "Василина"),
    ("Олеся", "Олеся"),
    ("Леся", "Леся"),
    ("Зоя", "Зоя"),
    ("Ангеліна", "Ангелина"),
    ("Аліна", "Алина"),
    ("Поліна", "Полина"),
    ("Діана", "Диана"),
    ("Кіра", "Кира"),
    ("Вероніка", "Вероника"),
    ("Маргарита", "Маргарита"),
    ("Емілія", "Эмилия"),
    ("Єлизавета", "Елизавета"),
    ("Неля", "Нелли"),
    ("Фаїна", "Фаина"),
    ("Таїсія", "Таисия"),
    ("Варвара", "Варвара"),
    ("Устина", "Устинья"),
    ("Орина", "Арина"),
    ("Марта", "Марта"),
    ("Регіна", "Регина"),
    ("Стефанія", "Стефания"),
    ("Віолета", "Виолетта"),
    ("Злата", "Злата"),
    ("Каріна", "Карина"),
    ("Євгенія", "Евгения"),
    ("Ганна-Марія", "Анна-Мария"),
    ("Нонна", "Нонна"),
    ("Едіта", "Эдита"),
    ("Аделіна", "Аделина"),
    ("Іванна", "Иванна"),
)

_UK_PATRONYMIC = {
    "Микола": ("Миколайович", "Миколаївна"),
    "Ілля": ("Ілліч", "Іллівна"),
    "Лука": ("Лукич", "Луківна"),
    "Кузьма": ("Кузьмич", "Кузьмівна"),
    "Яків": ("Якович", "Яківна"),
    "Федір": ("Федорович", "Федорівна"),
    "Григорій": ("Григорович", "Григорівна"),
}

_RU_PATRONYMIC = {
    "Павел": ("Павлович", "Павловна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Яков": ("Яковлевич", "Яковлевна"),
    "Илья": ("Ильич", "Ильинична"),
    "Лука": ("Лукич", "Лукинична"),
    "Кузьма": ("Кузьмич", "Кузьминична"),
    "Даниил": ("Даниилович", "Данииловна"),
    "Георгий": ("Георгиевич", "Георгиевна"),
    "Олесь": ("Олесевич", "Олесевна"),
}


def uk_patronymic(father: str, sex: str) -> str:
    """Ukrainian patronymic from the father's Ukrainian given name."""
    male = sex == "male"
    if father in _UK_PATRONYMIC:
        return _UK_PATRONYMIC[father][0 if male else 1]
    if father.endswith("й"):
        return father + "ович" if male else father[:-1] + "ївна"
    if father.endswith(("о", "а", "ь")):
        stem = father[:-1]
        if male:
            return father + "ович" if father.endswith("ь") else stem + "ович"
        return stem + "івна"
    return father + ("ович" if male else "івна")


def ru_patronymic(father_ru: str, sex: str) -> str:
    """Russian patronymic from the father's Russian given name."""
    male = sex == "male"
    if father_ru in _RU_PATRONYMIC:
        return _RU_PATRONYMIC[father_ru][0 if male else 1]
    if father_ru.endswith("ей"):
        return father_ru[:-2] + ("еевич" if male else "еевна")
    if father_ru.endswith("ий"):
        return father_ru[:-2] + ("ьевич" if male else "ьевна")
    if father_ru.endswith("ай"):
        return father_ru[:-1] + ("евич" if male else "евна")
    if father_ru.endswith("ь"):
        return father_ru[:-1] + ("евич" if male else "евна")
    return father_ru + ("ович" if male else "овна")


# Stems for suffix-built surnames; the Russian stem is derived by letter rules.
_STEMS = (
    "Шевч",
    "Ковал",
    "Бондар",
    "Ткач",
    "Кравч",
    "Мельнич",
    "Петр",
    "Іван",
    "Павл",
    "Марч",
    "Лис",
    "Гончар",
    "Руд",
    "Кирил",
    "Левч",
    "Савч",
    "Юрч",
    "Тимош",
    "Остап",
    "Яков",
    "Литвин",
    "Васил",
    "Демч",
    "Сидор",
    "Мороз",
    "Данил",
    "Оніщ",
    "Гриц",
    "Харч",
    "Семен",
    "Пилип",
    "Кушнір",
    "Дорош",
    "Гордій",
    "Мирон",
    "Назар",
    "Прокоп",
    "Захарч",
    "Стец",
    "Гнат",
    "Мазур",
    "Панч",
    "Клим",
    "Март",
    "Карп",
    "Лук",
    "Зінч",
    "Тарас",
    "Сав",
    "Федор",
    "Костюч",
    "Вовч",
    "Кузьм",
    "Гаврил",
    "Максим",
    "Антон",
    "Левиц",
    "Ящ",
    "Білоус",
    "Криворуч",
    "Дяч",
    "Пономар",
    "Швец",
    "Бойч",
    "Сорок",
    "Жук",
)

# (uk masculine, uk feminine, ru masculine, ru feminine)
_SUFFIXES = (
    ("енко", "енко", "енко", "енко"),
    ("ук", "ук", "ук", "ук"),
    ("ко", "ко", "ко", "ко"),
    ("ський", "ська", "ский", "ская"),
    ("ов", "ова", "ов", "ова"),
    ("ін", "іна", "ин", "ина"),
    ("ишин", "ишина", "ишин", "ишина"),
    ("ак", "ак", "ак", "ак"),
    ("ич", "ич", "ич", "ич"),
    ("чук", "чук", "чук", "чук"),
)

# Adjectival surnames: (uk m, uk f, ru m, ru f)
_ADJECTIVAL = (
    ("Білий", "Біла", "Белый", "Белая"),
    ("Сірий", "Сіра", "Серый", "Серая"),
    ("Чорний", "Чорна", "Черный", "Черная"),
    ("Рудий", "Руда", "Рудой", "Рудая"),
    ("Малий", "Мала", "Малый", "Малая"),
    ("Кривий", "Крива", "Кривой", "Кривая"),
    ("Лихий", "Лиха", "Лихой", "Лихая"),
    ("Довгий", "Довга", "Долгий", "Долгая"),
    ("Гордий", "Горда", "Гордый", "Гордая"),
    ("Тихий", "Тиха", "Тихий", "Тихая"),
    ("Глухий", "Глуха", "Глухой", "Глухая"),
    ("Зелений", "Зелена", "Зеленый", "Зеленая"),
)

_RU_LETTERS = str.maketrans(
    {
        "і": "и",
        "ї": "и",
        "є": "е",
        "ґ": "г",
        "'": "ь",
        "І": "И",
        "Ї": "И",
        "Є": "Е",
        "Ґ": "Г",
    }
)


def russify(text: str) -> str:
    """Russian spelling of a Ukrainian word by letter rules (as a clerk would)."""
    return text.translate(_RU_LETTERS)


@dataclass(frozen=True)
class Surname:
    """One surname in its four forms."""

    uk_m: str
    uk_f: str
    ru_m: str
    ru_f: str

    def uk(self, sex: str) -> str:
        return self.uk_m if sex == "male" else self.uk_f

    def ru(self, sex: str) -> str:
        return self.ru_m if sex == "male" else self.ru_f


def _build_surnames() -> tuple[Surname, ...]:
    out: list[Surname] = []
    for i, stem in enumerate(_STEMS):
        # Each stem takes four suffix families, chosen by a fixed stride.
        for k in range(4):
            um, uf, rm, rf = _SUFFIXES[(i * 3 + k * 7) % len(_SUFFIXES)]
            base = stem + "ь" if stem.endswith("л") and um.startswith("ськ") else stem
            rstem = russify(base)
            out.append(Surname(base + um, base + uf, rstem + rm, rstem + rf))
    out.extend(Surname(*forms) for forms in _ADJECTIVAL)
    seen: set[str] = set()
    unique = []
    for s in out:
        if s.uk_m not in seen:
            seen.add(s.uk_m)
            unique.append(s)
    return tuple(unique)


SURNAMES: tuple[Surname, ...] = _build_surnames()

UK_MONTHS_GENITIVE = (
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
)

# KMU 2010 (Cabinet of Ministers resolution 55) romanisation.
_KMU = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "ʼ": "",
    "’": "",
}
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def kmu2010(text: str) -> str:
    """Romanise Ukrainian text with the KMU 2010 table."""
    out: list[str] = []
    prev = ""
    for ch in text:
        low = ch.lower()
        if low not in _KMU:
            out.append(ch)
            prev = ch
            continue
        initial = prev == "" or (not prev.isalpha() and prev not in "'ʼ’")
        if low == "г" and prev.lower() == "з":
            lat = "gh"
        elif initial and low in _KMU_INITIAL:
            lat = _KMU_INITIAL[low]
        else:
            lat = _KMU[low]
        if ch.isupper() and lat:
            lat = lat[0].upper() + lat[1:]
        out.append(lat)
        prev = ch
    return "".join(out)


# Latin spellings other than KMU 2010, as older passports and Russian-based
# documents have them (#15): "Yuriy"/"Serhiy" (-iy), "Iurii"/"Iakovenko"
# (the initial Ye/Yu/Ya written Ie/Iu/Ia), and the Russian form transliterated
# ("Sergey", "Aleksandr", "Nikolay", "Yevgeniy").
_RU_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

LATIN_SCHEMES = ("iy", "ia", "ru")


def latin_spelling(uk: str, ru: str, scheme: str) -> str:
    """One name part in a Latin spelling that is not KMU 2010: ``iy``
    (KMU with the ending ``-ii`` as ``-iy``: Serhiy, Yuriy), ``ia`` (the
    initial ``Ye``/``Yu``/``Ya``/``Yi`` as ``Ie``/``Iu``/``Ia``/``I``:
    Iurii, Iakovenko), ``ru`` (the Russian form ``ru`` transliterated:
    Sergey, Aleksandr, Yevgeniy, Kovalenko)."""
    if scheme == "iy":
        text = kmu2010(uk)
        return text[:-2] + "iy" if text.endswith("ii") else text
    if scheme == "ia":
        text = kmu2010(uk)
        for a, b in (("Yi", "I"), ("Ye", "Ie"), ("Yu", "Iu"), ("Ya", "Ia")):
            if text.startswith(a):
                return b + text[len(a) :]
        return text
    out = []
    for k, ch in enumerate(ru):
        low = ch.lower()
        lat = _RU_LATIN.get(low, ch)
        if low == "е" and (k == 0 or ru[k - 1].lower() in "аеиоуыэюяьъ"):
            lat = "ye"
        if low == "й" and k > 0 and ru[k - 1].lower() in "иы" and k == len(ru) - 1:
            lat = "y"  # Юрий -> Yuriy
        out.append(lat[:1].upper() + lat[1:] if ch.isupper() and lat else lat)
    return "".join(out)
