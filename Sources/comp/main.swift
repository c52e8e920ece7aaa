print("comp")
