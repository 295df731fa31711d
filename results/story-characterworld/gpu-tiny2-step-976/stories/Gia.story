[Gia] a photo of a boy in a purple shirt wearing a christmas hat

[Gia] , angry, in the city #Gia, angry
[Gia] , angry, on the beach #Gia, angry
[Gia] , angry, under the night sky #Gia, angry
[Gia] , smiling, on the beach #Gia, smiling
[Gia] , smiling, under the night sky #Gia, smiling
[Gia] , angry, in the forest #Gia, angry
