[Dan] a photo of a man in a green shirt wearing a christmas hat

[Dan] , sad, in the forest #Dan, sad
[Dan] , smiling, in a room #Dan, smiling
[Dan] , angry, under the night sky #Dan, angry
[Dan] , sad, in the city #Dan, sad
[Dan] , angry, in a room #Dan, angry
[Dan] , smiling, under the night sky #Dan, smiling
