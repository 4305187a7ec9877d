"""VisProg's published example programs, as data: the 55 programs of its four prompt files.

Source: github.com/allenai/visprog (Apache-2.0), commit 9626868c0d1007c41d8f210fe99f5c1facc3325f:
  prompts/gqa.py      GQA_CURATED_EXAMPLES   20 programs (compositional questions)
  prompts/nlvr.py     NLVR_CURATED_EXAMPLES  12 programs (statements about two images, LEFT and RIGHT)
  prompts/knowtag.py  PROMPT                 13 programs (knowledge tagging)
  prompts/imgedit.py  PROMPT                 10 programs (image editing)
Each program is copied verbatim, VisProg's own slips included (gqa's RESULT(var=ANSWER), two
"... and else ..." EVALs, imgedit's EMOJI reusing OBJ1, nlvr's VQA(Image=RIGHT,...) and the unescaped
apostrophe in "Disney's"). knowtag's ``{list_max}`` placeholder is filled with 20, as VisProg's notebook
does. Only the instruction text and the program are kept; no VisProg code is.
"""

from __future__ import annotations

from typing import NamedTuple

LIST_MAX = 20  # knowtag's {list_max}


class VisProgProgram(NamedTuple):
    family: str  # gqa | nlvr | knowtag | imgedit
    number: int  # 1-based position in its prompt file
    instruction: str  # the question, statement or instruction it answers
    program: str


PROGRAMS: tuple[VisProgProgram, ...] = (
    VisProgProgram('gqa', 1, 'Is the vehicle in the top of the image?', (
        "BOX0=LOC(image=IMAGE,object='TOP')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='vehicle')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 2, 'Are there trains or fences in this scene?', (
        "BOX0=LOC(image=IMAGE,object='train')\n"
        "BOX1=LOC(image=IMAGE,object='fence')\n"
        'ANSWER0=COUNT(box=BOX0)\n'
        'ANSWER1=COUNT(box=BOX1)\n'
        'ANSWER2=EVAL(expr="\'yes\' if {ANSWER0} + {ANSWER1} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER)'
    )),
    VisProgProgram('gqa', 3, 'Who is carrying the umbrella?', (
        "BOX0=LOC(image=IMAGE,object='umbrella')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "ANSWER0=VQA(image=IMAGE0,question='Who is carrying the umbrella?')\n"
        'FINAL_RESULT=RESULT(var=ANSWER0)'
    )),
    VisProgProgram('gqa', 4, 'Which place is it?', (
        "ANSWER0=VQA(image=IMAGE,question='Which place is it?')\n"
        'FINAL_RESULT=RESULT(var=ANSWER0)'
    )),
    VisProgProgram('gqa', 5, 'What color is the curtain that is to the right of the mirror?', (
        "BOX0=LOC(image=IMAGE,object='mirror')\n"
        'IMAGE0=CROP_RIGHTOF(image=IMAGE,box=BOX0)\n'
        "ANSWER0=VQA(image=IMAGE0,question='What color is the curtain?')\n"
        'FINAL_RESULT=RESULT(var=ANSWER0)'
    )),
    VisProgProgram('gqa', 6, 'Is the pillow in the top part or in the bottom of the picture?', (
        "BOX0=LOC(image=IMAGE,object='TOP')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='pillow')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'top\' if {ANSWER0} > 0 else \'bottom\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 7, 'Do you see bottles to the right of the wine on the left of the picture?', (
        "BOX0=LOC(image=IMAGE,object='LEFT')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='wine')\n"
        'IMAGE1=CROP_RIGHTOF(image=IMAGE0,box=BOX1)\n'
        "BOX2=LOC(image=IMAGE1,object='bottles')\n"
        'ANSWER0=COUNT(box=BOX2)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 8, 'Is the street light standing behind a truck?', (
        "BOX0=LOC(image=IMAGE,object='truck')\n"
        'IMAGE0=CROP_BEHIND(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='street light')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 9, 'Which side is the food on?', (
        "BOX0=LOC(image=IMAGE,object='RIGHT')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='food')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'right\' if {ANSWER0} > 0 else \'left\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 10, 'What do the wetsuit and the sky have in common?', (
        "ANSWER0=VQA(image=IMAGE,question='What do the wetsuit and the sky have in common?')\n"
        'FINAL_RESULT=RESULT(var=ANSWER0)'
    )),
    VisProgProgram('gqa', 11, 'Do the post and the sign have a different colors?', (
        "BOX0=LOC(image=IMAGE,object='post')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE,object='sign')\n"
        'IMAGE1=CROP(image=IMAGE,box=BOX1)\n'
        "ANSWER0=VQA(image=IMAGE0,question='What color is the post?')\n"
        "ANSWER1=VQA(image=IMAGE1,question='What color is the sign?')\n"
        'ANSWER2=EVAL(expr="\'yes\' if {ANSWER0} != {ANSWER1} else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('gqa', 12, 'Does the traffic cone have white color?', (
        "BOX0=LOC(image=IMAGE,object='traffic cone')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "ANSWER0=VQA(image=IMAGE0,question='What color is the traffic cone?')\n"
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} == \'white\' else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 13, 'Are these animals of different species?', (
        "ANSWER0=VQA(image=IMAGE,question='Are these animals of different species?')\n"
        'FINAL_RESULT=RESULT(var=ANSWER0)'
    )),
    VisProgProgram('gqa', 14, 'Which side of the image is the chair on?', (
        "BOX0=LOC(image=IMAGE,object='RIGHT')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='chair')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'right\' if {ANSWER0} > 0 else \'left\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 15, 'Do you see any drawers to the left of the plate?', (
        "BOX0=LOC(image=IMAGE,object='plate')\n"
        'IMAGE0=CROP_LEFTOF(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='drawers')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 16, 'Does the mat have the same color as the sky?', (
        "BOX0=LOC(image=IMAGE,object='sky')\n"
        'IMAGE0=CROP(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE,object='mat')\n"
        'IMAGE1=CROP(image=IMAGE,box=BOX1)\n'
        "ANSWER0=VQA(image=IMAGE0,question='What color is the sky?')\n"
        "ANSWER1=VQA(image=IMAGE1,question='What color is the mat?')\n"
        'ANSWER2=EVAL(expr="\'yes\' if {ANSWER0} == {ANSWER1} else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('gqa', 17, 'Is a cat above the mat?', (
        "BOX0=LOC(image=IMAGE,object='mat')\n"
        'IMAGE0=CROP_ABOVE(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='cat')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 18, 'Is the cat above a mat?', (
        "BOX0=LOC(image=IMAGE,object='cat')\n"
        'IMAGE0=CROP_BELOW(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='mat')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 and else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 19, 'Is the mat below a cat?', (
        "BOX0=LOC(image=IMAGE,object='mat')\n"
        'IMAGE0=CROP_ABOVE(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='cat')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('gqa', 20, 'Is a mat below the cat?', (
        "BOX0=LOC(image=IMAGE,object='cat')\n"
        'IMAGE0=CROP_BELOW(image=IMAGE,box=BOX0)\n'
        "BOX1=LOC(image=IMAGE0,object='mat')\n"
        'ANSWER0=COUNT(box=BOX1)\n'
        'ANSWER1=EVAL(expr="\'yes\' if {ANSWER0} > 0 and else \'no\'")\n'
        'FINAL_RESULT=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('nlvr', 1, 'An image shows one bare hand with the thumb on the right holding up a belly-first, head-up crab, with water in the background.', (
        "ANSWER0=VQA(image=LEFT,question='Does the image shows one bare hand with the thumb on the right holding a crab?')\n"
        "ANSWER1=VQA(image=RIGHT,question='Does the image shows one bare hand with the thumb on the right holding a crab?')\n"
        "ANSWER2=VQA(image=LEFT,question='Is the crab belly-first and head-ups?')\n"
        "ANSWER3=VQA(image=RIGHT,question='Is the crab belly-first and head-ups?')\n"
        "ANSWER4=VQA(image=LEFT,question='Is there water in the background?')\n"
        "ANSWER5=VQA(image=RIGHT,question='Is there water in the background?')\n"
        "ANSWER6=EVAL(expr='{ANSWER0} and {ANSWER2} and {ANSWER4}')\n"
        "ANSWER7=EVAL(expr='{ANSWER1} and {ANSWER3} and {ANSWER5}')\n"
        "ANSWER8=EVAL(expr='{ANSWER6} xor {ANSWER7}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER8)'
    )),
    VisProgProgram('nlvr', 2, 'There is a red convertible in one image.', (
        "ANSWER0=VQA(image=LEFT,question='Is there a red convertible in the image?')\n"
        "ANSWER1=VQA(image=RIGHT,question='Is there a red convertible in the image?')\n"
        "ANSWER2=EVAL(expr='{ANSWER0} xor {ANSWER1}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('nlvr', 3, 'One dog is laying down.', (
        "ANSWER0=VQA(image=LEFT,question='How many dogs are laying down?')\n"
        "ANSWER1=VQA(image=RIGHT,question='How many dogs are laying down?')\n"
        "ANSWER2=EVAL(expr='{ANSWER0} + {ANSWER1} == 1')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('nlvr', 4, 'There are two blue and yellow birds', (
        "ANSWER0=VQA(image=LEFT,question='How many blue and yellow birds are in the image?')\n"
        "ANSWER1=VQA(image=RIGHT,question='How many blue and yellow birds are in the image?')\n"
        "ANSWER2=EVAL(expr='{ANSWER0} + {ANSWER1} == 2')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('nlvr', 5, 'A single wolf is howling and silhouetted by the moon in one of the images.', (
        "ANSWER0=VQA(image=LEFT,question='How many wolves are in the image?')\n"
        "ANSWER1=VQA(image=RIGHT,question='How many wolves are in the image?')\n"
        "ANSWER2=VQA(image=LEFT,question='Is the wolf howling and silhouetted by the moon?')\n"
        "ANSWER3=VQA(image=RIGHT,question='Is the wolf howling and silhouetted by the moon?')\n"
        "ANSWER4=EVAL(expr='{ANSWER0} == 1 and {ANSWER2}')\n"
        "ANSWER5=EVAL(expr='{ANSWER1} == 1 and {ANSWER3}')\n"
        "ANSWER6=EVAL(expr='{ANSWER4} xor {ANSWER5}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER6)'
    )),
    VisProgProgram('nlvr', 6, "One of the two images has a bag with the characters from Disney's Frozen on it.", (
        "ANSWER0=VQA(image=LEFT,question='Does the image have a bag with the characters from Disney's Frozen on it?')\n"
        "ANSWER1=VQA(Image=RIGHT,question='Does the image have a bag with the characters from Disney's Frozen on it?')\n"
        "ANSWER2=EVAL(expr='{ANSWER0} xor {ANSWER1}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('nlvr', 7, 'there are at least seven wine bottles in the image on the left', (
        "ANSWER0=VQA(image=LEFT,question='How many wine bottles are in the image?')\n"
        "ANSWER1=EVAL(expr='{ANSWER0} >= 7')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('nlvr', 8, 'An image shows broccoli growing in soil, with leaves surrounding the florets.', (
        "ANSWER0=VQA(image=LEFT,question='Does the image show broccoli growing in soil?')\n"
        "ANSWER1=VQA(image=RIGHT,question='Does the image show broccoli growing in soil?')\n"
        "ANSWER2=VQA(image=LEFT,question='Are leaves surrounding the floret?')\n"
        "ANSWER3=VQA(image=RIGHT,question='Are leaves surrounding the floret?')\n"
        "ANSWER4=EVAL(expr='{ANSWER0} and {ANSWER2}')\n"
        "ANSWER5=EVAL(expr='{ANSWER1} and {ANSWER3}')\n"
        "ANSWER6=EVAL(expr='{ANSWER4} xor {ANSWER5}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER6)'
    )),
    VisProgProgram('nlvr', 9, 'An image shows exactly two seals in direct contact, posed face to face.', (
        "ANSWER0=VQA(image=LEFT,question='How many seals are in the image?')\n"
        "ANSWER1=VQA(image=RIGHT,question='How many seals are in the image?')\n"
        "ANSWER2=VQA(image=LEFT,question='Are the seals in direct contact?')\n"
        "ANSWER3=VQA(image=RIGHT,question='Are the seals in direct contact?')\n"
        "ANSWER4=VQA(image=LEFT,question='Are the seals posed face to face?')\n"
        "ANSWER5=VQA(image=RIGHT,question='Are the seals posed face to face?')\n"
        "ANSWER6=EVAL(expr='{ANSWER0} == 2 and {ANSWER2} and {ANSWER4}')\n"
        "ANSWER7=EVAL(expr='{ANSWER1} == 2 and {ANSWER3} and {ANSWER5}')\n"
        "ANSWER8=EVAL(expr='{ANSWER6} xor {ANSWER7}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER8)'
    )),
    VisProgProgram('nlvr', 10, 'There is at least two parrots in the right image.', (
        "ANSWER0=VQA(image=RIGHT,question='How many parrots are in the image?')\n"
        "ANSWER1=EVAL(expr='{ANSWER0} >= 2')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('nlvr', 11, 'In the image on the right, four people are riding in one canoe.', (
        "ANSWER0=VQA(image=RIGHT,question='Are there four people riding in one canoe?')\n"
        "ANSWER1=EVAL(expr='{ANSWER0}')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER1)'
    )),
    VisProgProgram('nlvr', 12, 'There are two wolves in each image.', (
        "ANSWER0=VQA(image=LEFT,question='How many wolves are in the image?')\n"
        "ANSWER1=VQA(image=RIGHT,question='How many wolves are in the image?')\n"
        "ANSWER2=EVAL(expr='{ANSWER0} == 2 and {ANSWER1} == 2')\n"
        'FINAL_ANSWER=RESULT(var=ANSWER2)'
    )),
    VisProgProgram('knowtag', 1, 'Tag the presidents of US', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "LIST0=LIST(query='presidents of the US',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 2, 'Tag the wild animals', (
        "OBJ0=LOC(image=IMAGE,object='wild animal')\n"
        "LIST0=LIST(query='wild animals',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 3, 'Tag the shoes with their colors', (
        "OBJ0=LOC(image=IMAGE,object='shoe')\n"
        "LIST0=LIST(query='colors',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 4, 'Tag the shoes by their type', (
        "OBJ0=LOC(image=IMAGE,object='shoe')\n"
        "LIST0=LIST(query='type of shoes',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 5, 'Tag the shoes (4) by their type', (
        "OBJ0=LOC(image=IMAGE,object='shoe')\n"
        "LIST0=LIST(query='type of shoes',max=4)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 6, 'Tag oscar winning hollywood actors', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "LIST0=LIST(query='oscar winning hollywood actors',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 7, 'Tag these dishes with their cuisines', (
        "OBJ0=LOC(image=IMAGE,object='dish')\n"
        "LIST0=LIST(query='cuisines',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 8, 'Tag the utensils used for drinking', (
        "OBJ0=LOC(image=IMAGE,object='utensil')\n"
        "LIST0=LIST(query='utensils used for drinking',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 9, 'Tag the logos that have a shade of blue', (
        "OBJ0=LOC(image=IMAGE,object='logo')\n"
        "LIST0=LIST(query='logos that have a shade of blue',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 10, 'Tag the logos (10) that have a shade of blue', (
        "OBJ0=LOC(image=IMAGE,object='logo')\n"
        "LIST0=LIST(query='logos that have a shade of blue',max=10)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 11, 'Tag these leaders with the countries they represent', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "LIST0=LIST(query='countries',max=20)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 12, 'Tag the actor who played Harry Potter', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "LIST0=LIST(query='actor who played Harry Potter',max=1)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('knowtag', 13, 'Tag the 7 dwarfs in Snow White', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "LIST0=LIST(query='dwarfs in snow white',max=7)\n"
        'OBJ1=CLASSIFY(image=IMAGE,object=OBJ0,categories=LIST0)\n'
        'IMAGE0=TAG(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 1, 'Hide the face of Nicole Kidman with :p', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='Nicole Kidman',category=None)\n"
        "IMAGE0=EMOJI(image=IMAGE,object=OBJ1,emoji='face_with_tongue')\n"
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 2, 'Hide the faces of Nicole Kidman and Brad Pitt with ;) and 8)', (
        'OBJ0=FACEDET(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='Nicole Kidman',category=None)\n"
        "IMAGE0=EMOJI(image=IMAGE,object=OBJ1,emoji='winking_face')\n"
        "OBJ2=SELECT(image=IMAGE,object=OBJ0,query='Brad Pitt',category=None)\n"
        "IMAGE1=EMOJI(image=IMAGE0,object=OBJ1,emoji='smiling_face_with_sunglasses')\n"
        'FINAL_RESULT=RESULT(var=IMAGE1)'
    )),
    VisProgProgram('imgedit', 3, 'Create a color pop of Amy and Daphne', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='Amy,Daphne',category=None)\n"
        'IMAGE0=COLORPOP(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 4, 'Create a color pop of the girl and the umbrella', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='girl,umbrella',category=None)\n"
        'IMAGE0=COLORPOP(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 5, 'Create a color pop of the dog, frisbee, and grass', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='dog,frisbee,grass',category=None)\n"
        'IMAGE0=COLORPOP(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 6, 'Create a color pop of the man wearing a red suit (person)', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='man wearing a red suit',category='person')\n"
        'IMAGE0=COLORPOP(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 7, 'Select the red bus and blur the background', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='red bus',category=None)\n"
        'IMAGE0=BGBLUR(image=IMAGE,object=OBJ1)\n'
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 8, 'Replace the red bus with a blue bus', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='red bus',category=None)\n"
        "IMAGE0=REPLACE(image=IMAGE,object=OBJ1,prompt='blue bus')\n"
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
    VisProgProgram('imgedit', 9, 'Replace the red bus with blue bus and the road with dirt road', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='red bus',category=None)\n"
        "IMAGE0=REPLACE(image=IMAGE,object=OBJ1,prompt='blue bus')\n"
        'OBJ2=SEG(image=IMAGE0)\n'
        "OBJ3=SELECT(image=IMAGE0,object=OBJ2,query='road',category=None)\n"
        "IMAGE1=REPLACE(image=IMAGE0,object=OBJ3,prompt='dirt road')\n"
        'FINAL_RESULT=RESULT(var=IMAGE1)'
    )),
    VisProgProgram('imgedit', 10, 'Replace the red bus (bus) with a truck', (
        'OBJ0=SEG(image=IMAGE)\n'
        "OBJ1=SELECT(image=IMAGE,object=OBJ0,query='red bus',category='bus')\n"
        "IMAGE0=REPLACE(image=IMAGE,object=OBJ1,prompt='blue bus')\n"
        'FINAL_RESULT=RESULT(var=IMAGE0)'
    )),
)
