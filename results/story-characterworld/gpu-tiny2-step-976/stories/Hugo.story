[Hugo] a photo of a man in a purple shirt wearing headphones

[Hugo] , neutral, under the night sky #Hugo, neutral
[Hugo] , smiling, in the city #Hugo, smiling
[Hugo] , angry, on the beach #Hugo, angry
[Hugo] , angry, in a room #Hugo, angry
[Hugo] , neutral, in the forest #Hugo, neutral
[Hugo] , surprised, on the beach #Hugo, surprised
