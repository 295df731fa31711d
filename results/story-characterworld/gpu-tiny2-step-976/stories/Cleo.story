[Cleo] a photo of a boy in a pink shirt

[Cleo] , neutral, in the city #Cleo, neutral
[Cleo] , angry, in the forest #Cleo, angry
[Cleo] , sad, on the beach #Cleo, sad
[Cleo] , neutral, in a room #Cleo, neutral
[Cleo] , sad, in the city #Cleo, sad
[Cleo] , surprised, on the beach #Cleo, surprised
