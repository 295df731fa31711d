[Ada] a photo of a boy in a pink shirt wearing a top hat

[Ada] , surprised, in the city #Ada, surprised
[Ada] , surprised, in a room #Ada, surprised
[Ada] , neutral, in the city #Ada, neutral
[Ada] , surprised, under the night sky #Ada, surprised
[Ada] , smiling, in a room #Ada, smiling
[Ada] , angry, under the night sky #Ada, angry
