[Eve] a photo of a girl in an orange shirt wearing a beanie

[Eve] , surprised, under the night sky #Eve, surprised
[Eve] , sad, in a room #Eve, sad
[Eve] , smiling, under the night sky #Eve, smiling
[Eve] , sad, on the beach #Eve, sad
[Eve] , angry, on the beach #Eve, angry
[Eve] , surprised, in the forest #Eve, surprised
