"""Personal values that tests type into the terminal. The session check in conftest.py greps the whole run's
log output for every one of them: none may ever appear in a log (DOMAIN.md "Privacy")."""

from __future__ import annotations

# GB 11643-1999's own example number (valid check digit).
ID_NUMBER = "11010519491231002X"
# A second valid number from Yingkou (210802...), for agents and lists (MOD 11-2 check character 9).
ID_NUMBER_2 = "210802198607153719"
CREDIT_CODE = "91350100M000100Y43"
PHONE = "13812345678"
PHONE_2 = "15904176633"
NAME = "欧阳明月"
NAME_2 = "阿卜杜拉·买买提"
ADDRESS = "辽宁省营口市站前区建设街道渤海大街西23号3单元501"

ALL = (ID_NUMBER, ID_NUMBER_2, CREDIT_CODE, PHONE, PHONE_2, NAME, NAME_2, ADDRESS)

# The platform's test samples (tests/integration/central/helpers.py): its server logs are checked for them too.
CENTRAL_ID_NUMBER = "21080219900101123X"
CENTRAL_PHONE = "13800005678"
#: A citizen's rating comment (free text may hold anything personal; it is never logged).
COMMENT = "窗口态度差请回电"

ALL = (*ALL, CENTRAL_ID_NUMBER, CENTRAL_PHONE, COMMENT)
