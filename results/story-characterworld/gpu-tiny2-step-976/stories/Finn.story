[Finn] a photo of a woman in a purple shirt wearing a crown

[Finn] , angry, in a room #Finn, angry
[Finn] , sad, under the night sky #Finn, sad
[Finn] , angry, in the city #Finn, angry
[Finn] , surprised, under the night sky #Finn, surprised
[Finn] , neutral, in the city #Finn, neutral
[Finn] , smiling, on the beach #Finn, smiling
