[Ben] a photo of a woman in a pink shirt wearing a top hat

[Ben] , angry, on the beach #Ben, angry
[Ben] , sad, in the forest #Ben, sad
[Ben] , angry, under the night sky #Ben, angry
[Ben] , surprised, on the beach #Ben, surprised
[Ben] , smiling, in the forest #Ben, smiling
[Ben] , neutral, in a room #Ben, neutral
