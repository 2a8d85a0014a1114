"""The read side: queries over the published snapshot's marts, and the reports and exports built from them."""
